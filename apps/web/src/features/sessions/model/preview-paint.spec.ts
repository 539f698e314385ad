import { cellColor, paletteColor, previewFont } from './preview-paint';

const cell = (o: Partial<Record<string, unknown>>) =>
  ({ isFgRGB: () => false, isFgPalette: () => false, isBgRGB: () => false, isBgPalette: () => false, getFgColor: () => 0, getBgColor: () => 0, isInverse: () => 0, isDim: () => 0, isBold: () => 0, ...o }) as never;

describe(paletteColor.name, () => {
  it('maps the 256 colours: theme, cube, greys', () => {
    expect(paletteColor(2)).toBe('#3ecf8e');
    expect(paletteColor(16)).toBe('#000000');
    expect(paletteColor(196)).toBe('#ff0000');
    expect(paletteColor(231)).toBe('#ffffff');
    expect(paletteColor(232)).toBe('#080808');
  });
});

describe(cellColor.name, () => {
  it('reads palette, true colour, bold-bright and inverse', () => {
    expect(cellColor(cell({ isFgPalette: () => true, getFgColor: () => 1 }), '#fff', '#000')).toEqual({ fg: '#ff6b6b', bg: '#000' });
    expect(cellColor(cell({ isFgPalette: () => true, getFgColor: () => 1, isBold: () => 1 }), '#fff', '#000').fg).toBe('#ff8787');
    expect(cellColor(cell({ isFgRGB: () => true, getFgColor: () => 0x12ab34 }), '#fff', '#000').fg).toBe('#12ab34');
    expect(cellColor(cell({ isInverse: () => 1 }), '#fff', '#000')).toEqual({ fg: '#000', bg: '#fff' });
  });
});

describe(previewFont.name, () => {
  it('fits 120×36 cells into the box by the tighter dimension', () => {
    const f = previewFont(600, 400, 120, 36);
    expect(f.charW * 120).toBeLessThanOrEqual(600 - f.padX * 2 + 0.001);
    expect(f.lineH * 36).toBeLessThanOrEqual(400 - f.padY * 2 + 0.001);
  });
});
