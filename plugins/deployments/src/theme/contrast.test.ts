import { createTheme } from '@material-ui/core/styles';
import {
  contrastRatio as getContrastRatio,
  onPaper,
  readableOn,
  TEXT_CONTRAST,
} from './contrast';

// Backstage's themes take MUI's status colours and paper as they are.
const lightTheme = createTheme({ palette: { type: 'light' } });
const darkTheme = createTheme({ palette: { type: 'dark' } });

describe('contrastRatio', () => {
  it('computes WCAG ratios without rounding', () => {
    expect(getContrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 10);
    expect(getContrastRatio('#ffffff', '#ffffff')).toBe(1);
    // MUI's getContrastRatio rounds this pair to 4.5; axe-core reads 4.48.
    expect(getContrastRatio('#6fbf73', '#424242')).toBeLessThan(4.5);
    expect(getContrastRatio('#6fbf73', '#424242')).toBeGreaterThan(4.47);
    expect(getContrastRatio('hsl(0, 0%, 0%)', '#ffffff')).toBeCloseTo(21, 10);
  });
});

describe('readableOn', () => {
  it('keeps a colour that already stands out from the background', () => {
    const theme = lightTheme;
    const paper = theme.palette.background.paper;
    expect(readableOn(theme.palette.text.primary, paper)).toBe(
      theme.palette.text.primary,
    );
  });

  it.each([
    ['light', lightTheme],
    ['dark', darkTheme],
  ])(
    "gives the %s theme's status colours at least 3:1 on its paper",
    (_name, theme) => {
      const paper = theme.palette.background.paper;
      for (const colour of [
        theme.palette.success.main,
        theme.palette.error.main,
        theme.palette.warning.main,
        theme.palette.info.main,
        theme.palette.primary.main,
      ]) {
        expect(
          getContrastRatio(onPaper(theme, colour), paper),
        ).toBeGreaterThanOrEqual(3);
      }
    },
  );

  it.each([
    ['light', lightTheme],
    ['dark', darkTheme],
  ])(
    "gives the %s theme's success and error colours 4.5:1 for text on its paper (a diff's additions and deletions)",
    (_name, theme) => {
      const paper = theme.palette.background.paper;
      for (const colour of [
        theme.palette.success.main,
        theme.palette.error.main,
      ]) {
        expect(
          getContrastRatio(onPaper(theme, colour, TEXT_CONTRAST), paper),
        ).toBeGreaterThanOrEqual(TEXT_CONTRAST);
      }
    },
  );

  it('darkens on light paper and lightens on dark paper', () => {
    // MUI's default green is under 3:1 on white and on Backstage's dark paper it is not.
    const green = lightTheme.palette.success.main;
    expect(
      getContrastRatio(green, lightTheme.palette.background.paper),
    ).toBeLessThan(3);
    const onLight = onPaper(lightTheme, green);
    expect(getContrastRatio(onLight, '#000000')).toBeLessThan(
      getContrastRatio(green, '#000000'),
    );
    const yellow = darkTheme.palette.warning.main;
    const onDark = readableOn(yellow, darkTheme.palette.background.paper, 7);
    expect(getContrastRatio(onDark, '#ffffff')).toBeLessThan(
      getContrastRatio(yellow, '#ffffff'),
    );
  });

  it('reaches the ratio asked for text, 4.5:1', () => {
    const colour = readableOn(
      lightTheme.palette.success.main,
      lightTheme.palette.background.paper,
      4.5,
    );
    expect(
      getContrastRatio(colour, lightTheme.palette.background.paper),
    ).toBeGreaterThanOrEqual(4.5);
  });
});
