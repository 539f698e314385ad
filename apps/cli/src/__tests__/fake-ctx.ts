import { CliError, type CommandAccepted, type HttpMethod, type Query, type RequestOptions } from '../api-client';
import type { Api, Ctx } from '../context';
import { run } from '../main';

export interface Call {
  method: HttpMethod;
  path: string;
  body?: unknown;
  query?: Query;
  opts?: RequestOptions;
}

export const accepted = (id = 'X1', seq = 7): CommandAccepted => ({ id, commandId: 'C1', seq, events: [] });

/** Records what a command asks the API and answers from `answer` (a CliError thrown there is an API refusal). */
export class FakeApi implements Api {
  readonly calls: Call[] = [];
  constructor(private readonly answer: (call: Call) => unknown = () => accepted()) {}

  private async reply<T>(call: Call): Promise<T> {
    this.calls.push(call);
    return this.answer(call) as T;
  }
  get<T>(path: string, query: Query = {}, opts: Omit<RequestOptions, 'query'> = {}): Promise<T> {
    return this.reply({ method: 'GET', path, query, opts });
  }
  post<T = CommandAccepted>(path: string, body: unknown = {}, opts: RequestOptions = {}): Promise<T> {
    return this.reply({ method: 'POST', path, body, opts });
  }
  patch<T = CommandAccepted>(path: string, body: unknown, opts: RequestOptions = {}): Promise<T> {
    return this.reply({ method: 'PATCH', path, body, opts });
  }
  delete<T = CommandAccepted>(path: string, opts: RequestOptions = {}): Promise<T> {
    return this.reply({ method: 'DELETE', path, opts });
  }
}

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
  calls: Call[];
}

/** Runs `baton …args` in-process against a fake API. */
export async function baton(args: string[], answer?: (call: Call) => unknown, opts: { env?: Record<string, string>; stdin?: string } = {}): Promise<Ran> {
  const api = new FakeApi(answer);
  let stdout = '';
  let stderr = '';
  const ctx: Ctx = {
    env: opts.env ?? {},
    api: () => api,
    connection: () => ({ apiUrl: 'http://fake.invalid', token: 'fake' }),
    write: (s) => void (stdout += s),
    writeErr: (s) => void (stderr += s),
    readStdin: async () => opts.stdin ?? '',
  };
  const code = await run(['node', 'baton', ...args], ctx);
  return { code, stdout, stderr, calls: api.calls };
}

export const refusal = (status: number, message: string) => () => {
  throw new CliError(message, status === 400 || status === 413 ? 2 : 1, status);
};
