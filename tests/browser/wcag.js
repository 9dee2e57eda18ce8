// Basic WCAG 2.1 AA checks run in the page by the browser tests (tests/browser/test_citizen_portal.py).
// Returns {unlabelled: [...], lowContrast: [...]}: visible inputs with no label, and visible text whose
// contrast with its background is below 4.5:1 (3:1 for large text), by WCAG's relative luminance.
() => {
  const visible = (e) => e.offsetParent !== null;
  const unlabelled = [...document.querySelectorAll("input:not([type=hidden]), select, textarea")]
    .filter(visible)
    .filter((e) => !(e.labels && e.labels.length))
    .filter((e) => !e.getAttribute("aria-label") && !e.getAttribute("aria-labelledby"))
    .map((e) => e.name || e.id);
  const channel = (x) => (x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4));
  const lum = (c) => {
    const v = c.match(/[\d.]+/g).slice(0, 3).map(Number).map((x) => channel(x / 255));
    return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2];
  };
  const background = (e) => {
    for (let n = e; n; n = n.parentElement) {
      const c = getComputedStyle(n).backgroundColor;
      const a = c.match(/[\d.]+/g);
      if (a && (a.length < 4 || Number(a[3]) > 0.5)) return c;
    }
    return "rgb(255, 255, 255)";
  };
  const texts = "main a, main label, main p, main dt, main dd, main h1, main h2, main button, main li";
  const lowContrast = [];
  for (const e of document.querySelectorAll(texts)) {
    if (!visible(e) || !e.textContent.trim() || e.closest(".badge")) continue;
    const s = getComputedStyle(e);
    const a = lum(s.color);
    const b = lum(background(e));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(s.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(s.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) {
      lowContrast.push(`${e.tagName}: ${e.textContent.trim().slice(0, 40)} ${ratio.toFixed(2)}`);
    }
  }
  return { unlabelled, lowContrast };
}
