import {
  darken,
  getContrastRatio,
  getLuminance,
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
  const towardsDark = getLuminance(background) > 0.179;
  let shade = colour;
  for (let step = 1; step <= 10; step++) {
    if (getContrastRatio(shade, background) >= ratio) return shade;
    shade = towardsDark
      ? darken(colour, step / 10)
      : lighten(colour, step / 10);
  }
  return shade;
}

/** `readableOn` against the theme's paper, where the metrics are drawn. */
export const onPaper = (theme: Theme, colour: string, ratio?: number) =>
  readableOn(colour, theme.palette.background.paper, ratio);
