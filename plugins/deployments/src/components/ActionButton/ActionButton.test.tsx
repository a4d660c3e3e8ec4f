import { render, screen } from '@testing-library/react';
import { ThemeProvider } from '@material-ui/core/styles';
import { darkTheme, lightTheme } from '@backstage/theme';
import { ActionButton } from './ActionButton';
import { contrastRatio, TEXT_CONTRAST } from '../../theme/contrast';

describe('ActionButton', () => {
  it.each([
    ['light', lightTheme],
    ['dark', darkTheme],
  ])(
    'draws a secondary action (Reject, Abort) with 4.5:1 text on the %s paper',
    (_name, theme) => {
      render(
        <ThemeProvider theme={theme}>
          <ActionButton
            color="secondary"
            availability={{ enabled: true }}
            onClick={() => {}}
          >
            Reject
          </ActionButton>
        </ThemeProvider>,
      );
      const button = screen.getByRole('button', { name: 'Reject' });
      // jsdom computes no colours from style sheets: the rule that wins is
      // the most specific of those on the button's own classes.
      const own = new Set(button.classList);
      const winning = [...document.styleSheets]
        .flatMap(sheet => [...sheet.cssRules])
        .filter(
          (rule): rule is CSSStyleRule =>
            rule instanceof CSSStyleRule && rule.style.color !== '',
        )
        .map(rule => ({
          classes: rule.selectorText.split('.').filter(Boolean),
          colour: rule.style.color,
        }))
        .filter(rule => rule.classes.every(c => own.has(c)))
        .sort((a, b) => b.classes.length - a.classes.length);
      expect(winning[0].classes.length).toBeGreaterThan(
        winning[1].classes.length,
      );
      const colour = winning[0].colour;
      expect(colour).toBeDefined();
      expect(
        contrastRatio(colour, theme.palette.background.paper),
      ).toBeGreaterThanOrEqual(TEXT_CONTRAST);
    },
  );

  it("needs it: the light theme's own secondary is under 4.5:1 on white", () => {
    expect(
      contrastRatio(
        lightTheme.palette.secondary.main,
        lightTheme.palette.background.paper,
      ),
    ).toBeLessThan(TEXT_CONTRAST);
  });

  it('keeps a disabled action visible and says why', () => {
    render(
      <ThemeProvider theme={lightTheme}>
        <ActionButton
          color="secondary"
          availability={{ enabled: false, reason: 'You may not reject here' }}
          onClick={() => {}}
        >
          Reject
        </ActionButton>
      </ThemeProvider>,
    );
    const button = screen.getByRole('button', { name: 'Reject' });
    expect(button).toBeDisabled();
    expect(button).toHaveAccessibleDescription('You may not reject here');
  });
});
