import {
  darken,
  decomposeColor,
  hslToRgb,
  lighten,
  Theme,
} from '@material-ui/core/styles';

/**
 * WCAG's minimum contrast for graphics (icons, chart lines and bars); text
 * needs 4.5:1 and stays in the theme's text colours.
 */
export const GRAPHIC_CONTRAST = 3;

/** WCAG AA's minimum contrast for normal text. */
export const TEXT_CONTRAST = 4.5;

/** WCAG 2 relative luminance, unrounded (MUI's `getLuminance` rounds to three places). */
function luminance(colour: string): number {
  const parsed = decomposeColor(colour);
  const { values } = parsed.type.startsWith('hsl')
    ? decomposeColor(hslToRgb(colour))
    : parsed;
  const [r, g, b] = values.slice(0, 3).map(value => {
    const channel = value / 255;
    return channel <= 0.03928
      ? channel / 12.92
      : ((channel + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/**
 * WCAG 2 contrast ratio of two opaque colours, unrounded, as accessibility
 * checkers compute it. MUI's `getContrastRatio` rounds to two places, so a
 * colour it puts at 4.50:1 can be 4.48:1 — and fail the check.
 */
export function contrastRatio(a: string, b: string): number {
  const [lighter, darker] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (lighter + 0.05) / (darker + 0.05);
}

/**
 * A theme colour in the shade that stands out from `background` by at least
 * `ratio`: the colour itself when it does, else darkened (on a light
 * background) or lightened (on a dark one) step by step. Keeps hues from the
 * theme while making them read on both light and dark paper.
 */
export function readableOn(
  colour: string,
  background: string,
  ratio = GRAPHIC_CONTRAST,
): string {
  // Above this luminance black contrasts more with the background than white.
  const towardsDark = luminance(background) > 0.179;
  let shade = colour;
  for (let step = 1; step <= 20; step++) {
    if (contrastRatio(shade, background) >= ratio) return shade;
    shade = towardsDark
      ? darken(colour, step / 20)
      : lighten(colour, step / 20);
  }
  return shade;
}

/** `readableOn` against the theme's paper, where the metrics are drawn. */
export const onPaper = (theme: Theme, colour: string, ratio?: number) =>
  readableOn(colour, theme.palette.background.paper, ratio);
