"""The citizen's voice: ratings of returned dossiers (NĐ 61/2018 Điều 29–31) — online, at the counter's
rating tablet, or entered by staff from a paper form — and, on top of them, the 766 indicators of group 5.
"""
