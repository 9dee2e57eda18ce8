import warnings

# pyHanko imports cryptography's DSA types to recognise DSA keys; motcua never signs with DSA. The
# deprecation notice would otherwise print on every command that signs or verifies.
warnings.filterwarnings("ignore", message="DSA is deprecated", module=r"pyhanko\.")
