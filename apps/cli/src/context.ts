import { safeText } from '@baton/contracts';
import { ApiClient } from './api-client';
import { configPath, readConfig, resolveConnection, resolveToken, type BatonConfig, type Connection } from './config';
import { formatJson } from './output';

export type Env = Record<string, string | undefined>;
/** What commands need of the client; tests hand in a fake. */
export type Api = Pick<ApiClient, 'get' | 'post' | 'patch' | 'delete'>;

/** Everything a command touches outside itself, so commands can be driven in unit tests. */
export interface Ctx {
  env: Env;
  api(): Api;
  /** Where the API is and the token to use (the live socket needs them as well). */
  connection(): Pick<Connection, 'apiUrl' | 'token'>;
  write(text: string): void;
  /** Standard error: messages for people, never data. */
  writeErr(text: string): void;
  readStdin(): Promise<string>;
}

export function processCtx(): Ctx {
  let client: ApiClient | undefined;
  let conn: Connection | undefined;
  let file: BatonConfig = {};
  const env = process.env;
  const connection = () => {
    if (!conn) {
      // With both variables set the file is not needed, and a broken one does not get in the way.
      file = env.BATON_API_URL && (env.BATON_TOKEN || env.BATON_TOKEN_FILE) ? {} : readConfig(configPath(env));
      conn = resolveConnection(env, file);
    }
    return conn;
  };
  return {
    env,
    api() {
      if (!client) {
        const c = connection();
        // Asked per request: inside a session the runner renews the token file under a long-running process (`baton mcp`).
        client = new ApiClient(c.apiUrl, env.BATON_TOKEN_FILE ? () => resolveToken(env, file).token : c.token);
      }
      return client;
    },
    connection,
    write: (text) => void process.stdout.write(text),
    // Standard error carries messages only, some quoting people and agents (an ended reason): never a control.
    writeErr: (text) => void process.stderr.write(safeText(text, { multiline: true })),
    readStdin,
  };
}

export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * `--json` prints the answer as it came; otherwise the human form, which quotes people and
 * agents (titles, descriptions, messages): no escape sequence or bidi override in it reaches the terminal.
 */
export function emit(ctx: Ctx, json: boolean | undefined, value: unknown, human: () => string): void {
  ctx.write(json ? formatJson(value) : safeText(human(), { multiline: true }));
}
