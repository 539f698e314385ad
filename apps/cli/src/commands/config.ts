import { Argument, type Command } from 'commander';
import { safeText } from '@baton/contracts';
import { ApiClient, CliError } from '../api-client';
import { CONFIG_KEYS, checkApiUrl, configPath, displayConfigValue, readConfig, resolveConnection, setConfigValue, writeConfig, type ConfigKey } from '../config';
import { emit, type Ctx } from '../context';
import { withJson } from '../options';
import { formatRecord } from '../output';

interface Me {
  id: string;
  name: string;
  role: string;
}

/** `baton config …` and `baton login`: where the API is and which token to use, kept in a 0600 file. */
export function registerConfigCommands(program: Command, ctx: Ctx): void {
  const config = program.command('config').description(`where Baton is and how to sign in (file: $BATON_CONFIG or ~/.config/baton/config.json)`);
  const keyArg = () => new Argument('<key>', 'setting').choices(CONFIG_KEYS);

  config
    .command('set')
    .description('set a value; for the token, "-" reads it from standard input (keeps it out of shell history)')
    .addArgument(keyArg())
    .argument('<value>', 'the value')
    .action(async (key: ConfigKey, value: string) => {
      const path = configPath(ctx.env);
      const v = key === 'token' && value === '-' ? (await ctx.readStdin()).trim() : value;
      writeConfig(path, setConfigValue(readConfig(path), key, v));
      ctx.write(`${key} saved to ${path}\n`);
    });

  config
    .command('unset')
    .description('remove a value')
    .addArgument(keyArg())
    .action((key: ConfigKey) => {
      const path = configPath(ctx.env);
      writeConfig(path, setConfigValue(readConfig(path), key, undefined));
      ctx.write(`${key} removed from ${path}\n`);
    });

  config
    .command('get')
    .description('print a value (a token only as set / not set)')
    .addArgument(keyArg())
    .action((key: ConfigKey) => ctx.write(`${displayConfigValue(readConfig(configPath(ctx.env)), key)}\n`));

  withJson(config.command('show').description('the settings in force and where each comes from')).action((o: { json?: boolean }) => {
    const path = configPath(ctx.env);
    const conn = resolveConnection(ctx.env, readConfig(path));
    const view = { configFile: path, apiUrl: conn.apiUrl, apiUrlFrom: conn.sources.apiUrl, token: conn.token ? 'set' : 'not set', tokenFrom: conn.sources.token };
    emit(ctx, o.json, view, () => formatRecord(view, Object.keys(view)));
  });

  program
    .command('login')
    .description('check a token against Baton and save it with the URL in the config file')
    .option('--url <url>', 'the API URL (default: BATON_API_URL, the config file, or http://127.0.0.1:3100)')
    .option('--token <token>', 'the token (prefer --token-stdin or BATON_TOKEN: arguments show in the process list)')
    .option('--token-stdin', 'read the token from standard input')
    .action(async (o: { url?: string; token?: string; tokenStdin?: boolean }) => {
      if (o.token && o.tokenStdin) throw new CliError('give --token or --token-stdin, not both', 2);
      const path = configPath(ctx.env);
      const current = readConfig(path);
      const conn = resolveConnection(ctx.env, current);
      const url = o.url ? checkApiUrl(o.url, '--url') : conn.apiUrl;
      const token = o.tokenStdin ? (await ctx.readStdin()).trim() : (o.token ?? conn.token);
      if (!token) throw new CliError('no token: give --token-stdin, --token or BATON_TOKEN', 2);
      const me = await new ApiClient(url, token).get<Me>('/api/me');
      writeConfig(path, setConfigValue(setConfigValue(current, 'api-url', url), 'token', token));
      ctx.write(`signed in to ${url} as ${safeText(me.name)} (${me.role}); saved to ${path}\n`);
    });

  withJson(program.command('whoami').description('who the token in force belongs to')).action(async (o: { json?: boolean }) => {
    const me = await ctx.api().get<Me>('/api/me');
    emit(ctx, o.json, me, () => `${me.name} (${me.role}) ${me.id}\n`);
  });
}
