import { TerminalScreen } from './screen';

const ESC = '\x1b';
const bytes = (s: string) => new TextEncoder().encode(s);

describe(TerminalScreen.name, () => {
  const screens: TerminalScreen[] = [];
  const make = (cols = 40, rows = 6) => {
    const s = new TerminalScreen({ cols, rows });
    screens.push(s);
    return s;
  };
  afterEach(() => screens.splice(0).forEach((s) => s.dispose()));

  /** What a new viewer does with a snapshot: a fresh terminal of that size, one write. */
  const replayed = async (sut: TerminalScreen) => {
    const snap = await sut.snapshot();
    const viewer = make(snap.cols, snap.rows);
    await viewer.write(snap.data);
    return viewer;
  };

  it('shows printed lines as text', async () => {
    const sut = make();
    await sut.write('hello\r\nworld\r\n');
    expect(await sut.text()).toBe('hello\nworld');
  });

  it('applies cursor moves, clear screen and erase line like a terminal does', async () => {
    const sut = make();
    sut.write(`garbage everywhere\r\nmore garbage${ESC}[2J${ESC}[H`);
    sut.write(`top${ESC}[3;5Hmiddle${ESC}[1;1Hx`);
    sut.write(`${ESC}[6;1Hbottom line${ESC}[6;7H${ESC}[K`);
    expect(await sut.text()).toBe(['xop', '', '    middle', '', '', 'bottom'].join('\n'));
    expect(await sut.cursor()).toEqual({ x: 6, y: 5 });
  });

  it('accepts raw bytes, with a UTF-8 character split across two writes', async () => {
    const sut = make();
    const euro = bytes('price: 5€');
    sut.write(euro.subarray(0, euro.length - 1));
    sut.write(euro.subarray(euro.length - 1));
    expect(await sut.text()).toBe('price: 5€');
  });

  it('rebuilds the same screen, colors and cursor included, from a snapshot', async () => {
    const sut = make();
    await sut.write(`${ESC}[31mred${ESC}[0m ${ESC}[1;44mbold on blue${ESC}[0m\r\nplain\r\n${ESC}[38;5;208morange${ESC}[0m`);
    await sut.write(`${ESC}[2;10H`);
    const viewer = await replayed(sut);

    expect(await viewer.text()).toBe(await sut.text());
    expect(await viewer.cursor()).toEqual(await sut.cursor());
    // Same styled cells on both sides: serializing the viewer gives the very same sequences.
    const original = (await sut.snapshot()).data;
    expect((await viewer.snapshot()).data).toBe(original);
    expect(original).toContain(`${ESC}[31mred`);
    const sgrBefore = (text: string) => original.slice(original.lastIndexOf(ESC, original.indexOf(text)), original.indexOf(text));
    expect(sgrBefore('bold on blue')).toMatch(/[[;]1[;m]/);
    expect(sgrBefore('bold on blue')).toMatch(/[[;]44[;m]/);
    expect(sgrBefore('orange')).toContain('38;5;208');
  });

  it('carries a full-screen program on the alternate screen into the snapshot', async () => {
    const sut = make();
    await sut.write('shell prompt $ vim\r\n');
    await sut.write(`${ESC}[?1049h${ESC}[H${ESC}[2J~ editor line 1\r\n~ editor line 2`);
    expect(sut.alternateScreen).toBe(true);
    const viewer = await replayed(sut);
    expect(viewer.alternateScreen).toBe(true);
    expect(await viewer.text()).toBe('~ editor line 1\n~ editor line 2');
    // Leaving the editor brings the shell back, in the viewer too.
    await sut.write(`${ESC}[?1049l`);
    await viewer.write(`${ESC}[?1049l`);
    expect(await viewer.text()).toBe(await sut.text());
    expect(await sut.text()).toContain('shell prompt $ vim');
  });

  it('keeps scrolled-off lines in the snapshot and shows the same visible rows', async () => {
    const sut = make(20, 3);
    for (let i = 1; i <= 10; i++) await sut.write(`line ${i}\r\n`);
    expect(await sut.text()).toBe('line 9\nline 10');
    const snap = await sut.snapshot();
    expect(snap.data).toContain('line 1\r\n');
    const viewer = await replayed(sut);
    expect(await viewer.text()).toBe('line 9\nline 10');
  });

  it('reflows soft-wrapped lines to a new size', async () => {
    const sut = make(10, 3);
    await sut.write('abcdefghijklmno\r\n');
    sut.resize(20, 3);
    expect(sut.cols).toBe(20);
    const snap = await sut.snapshot();
    expect(snap).toMatchObject({ cols: 20, rows: 3 });
    expect(await sut.text()).toBe('abcdefghijklmno');
  });

  it('names the last chunk it contains, from where a restarted session left off', async () => {
    const sut = new TerminalScreen({ cols: 20, rows: 3, afterChunk: 6 });
    screens.push(sut);
    expect((await sut.snapshot()).chunk).toBe(6);
    void sut.write('seven\r\n', 7);
    void sut.write('eight', 8);
    const snap = await sut.snapshot();
    expect(snap).toMatchObject({ chunk: 8, alternateScreen: false });
    expect(snap.data).toContain('eight');
  });
});
