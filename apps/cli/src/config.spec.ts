import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliError } from './api-client';
import { configPath, displayConfigValue, readConfig, resolveConnection, setConfigValue, writeConfig } from './config';

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
});
