import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliError } from './api-client';
import { configPath, displayConfigValue, readConfig, readTokenFile, resolveConnection, setConfigValue, writeConfig } from './config';

const tmp = () => mkdtempSync(join(tmpdir(), 'baton-cli-'));

describe('config', () => {
  it('lives at BATON_CONFIG, else under XDG_CONFIG_HOME, else ~/.config', () => {
    expect(configPath({ BATON_CONFIG: '/x/c.json', HOME: '/home/a' })).toBe('/x/c.json');
    expect(configPath({ XDG_CONFIG_HOME: '/xdg', HOME: '/home/a' })).toBe('/xdg/baton/config.json');
    expect(configPath({ HOME: '/home/a' })).toBe('/home/a/.config/baton/config.json');
  });

  it('reads a missing file as empty and refuses a broken one with its path (exit 2)', () => {
    const dir = tmp();
    expect(readConfig(join(dir, 'none.json'))).toEqual({});
    writeFileSync(join(dir, 'bad.json'), '{not json');
    const sut = () => readConfig(join(dir, 'bad.json'));
    expect(sut).toThrow(CliError);
    expect(sut).toThrow(/bad\.json/);
    writeFileSync(join(dir, 'wrong.json'), JSON.stringify({ token: 42 }));
    expect(() => readConfig(join(dir, 'wrong.json'))).toThrow(/"token" must be a string/);
  });

  it('writes the file readable by its owner only, in a directory it creates', () => {
    const path = join(tmp(), 'nested', 'baton', 'config.json');
    writeConfig(path, { apiUrl: 'http://h:1', token: 'secret' });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ apiUrl: 'http://h:1', token: 'secret' });
    writeConfig(path, { apiUrl: 'http://h:2' });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readConfig(path)).toEqual({ apiUrl: 'http://h:2' });
  });

  it('checks values before they are saved', () => {
    expect(setConfigValue({}, 'api-url', ' http://a:1 ')).toEqual({ apiUrl: 'http://a:1' });
    expect(() => setConfigValue({}, 'api-url', 'ftp://a')).toThrow(/http or https/);
    expect(() => setConfigValue({}, 'api-url', 'nope')).toThrow(/not a URL/);
    expect(() => setConfigValue({}, 'token', '  ')).toThrow(/must not be empty/);
    expect(setConfigValue({ token: 't', apiUrl: 'http://a' }, 'token', undefined)).toEqual({ apiUrl: 'http://a' });
  });

  it('never shows a token, only whether one is set', () => {
    expect(displayConfigValue({ token: 'btn_secret' }, 'token')).toBe('(set)');
    expect(displayConfigValue({}, 'token')).toBe('(not set)');
    expect(displayConfigValue({ apiUrl: 'http://a' }, 'api-url')).toBe('http://a');
  });

  it('takes the environment over the file, and the file over the default', () => {
    const file = { apiUrl: 'http://file:1', token: 'file-token' };
    expect(resolveConnection({}, {})).toMatchObject({ apiUrl: 'http://127.0.0.1:3100', sources: { apiUrl: 'default', token: 'none' } });
    expect(resolveConnection({}, file)).toMatchObject({ apiUrl: 'http://file:1', token: 'file-token', sources: { apiUrl: 'config', token: 'config' } });
    expect(resolveConnection({ BATON_API_URL: 'http://env:2', BATON_TOKEN: 'env-token' }, file)).toMatchObject({
      apiUrl: 'http://env:2',
      token: 'env-token',
      sources: { apiUrl: 'env', token: 'env' },
    });
    expect(() => resolveConnection({ BATON_API_URL: 'not a url' }, {})).toThrow(/BATON_API_URL is not a URL/);
  });

  it("inside a session takes the token from the runner's token file first, then BATON_TOKEN", () => {
    const files: Record<string, string | null> = { '/s/baton-token-3': 'bat_s.fresh', '/s/empty': null };
    const read = (path: string) => files[path] ?? null;
    const env = { BATON_API_URL: 'http://env:2', BATON_TOKEN: 'bat_s.first', BATON_TOKEN_FILE: '/s/baton-token-3' };
    expect(resolveConnection(env, { token: 'file-token' }, read)).toMatchObject({ token: 'bat_s.fresh', sources: { token: 'file' } });
    // A file that cannot be read (not written yet, removed at the end) falls back to the environment.
    expect(resolveConnection({ ...env, BATON_TOKEN_FILE: '/s/empty' }, {}, read)).toMatchObject({ token: 'bat_s.first', sources: { token: 'env' } });
    expect(resolveConnection({ ...env, BATON_TOKEN_FILE: '/s/missing', BATON_TOKEN: '' }, { token: 'cfg' }, read)).toMatchObject({ token: 'cfg', sources: { token: 'config' } });
  });

  it('reads the first line of a real token file, and nothing from a missing or empty one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-cli-token-'));
    try {
      writeFileSync(join(dir, 'token'), '  bat_s.abc.def  \n');
      writeFileSync(join(dir, 'blank'), '\n');
      expect(readTokenFile(join(dir, 'token'))).toBe('bat_s.abc.def');
      expect(readTokenFile(join(dir, 'blank'))).toBeNull();
      expect(readTokenFile(join(dir, 'missing'))).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
