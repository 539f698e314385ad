import pino, { type Logger as PinoLogger } from 'pino';
import type { LoggerService } from '@nestjs/common';
import { logContext } from './correlation';

/** Paths whose values never reach a log line, wherever a caller puts them. */
export const REDACTED_PATHS = [
  'token',
  '*.token',
  'tokenHash',
  '*.tokenHash',
  'password',
  '*.password',
  'secret',
  '*.secret',
  'authorization',
  '*.authorization',
  'cookie',
  '*.cookie',
  'env.*',
  '*.env.*',
  'headers.authorization',
  'headers.cookie',
  '*.headers.authorization',
  '*.headers.cookie',
  'headers["x-baton-runner-secret"]',
  '*.headers["x-baton-runner-secret"]',
];

/** Environment variables whose values are secrets: their values are cut out of messages too. */
const SECRET_ENV = /TOKEN|SECRET|PASSWORD|PASSWD|_KEY$|^DATABASE_URL$/i;

/**
 * Removes secrets from free text: bearer tokens, user and session tokens, passwords in
 * connection URLs, and the values of secret-looking environment variables.
 */
export function scrubSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text
    .replace(/(Bearer\s+)[\x21-\x7e]+/gi, '$1[redacted]')
    .replace(/\b(btn|bat_s)[_.][A-Za-z0-9_.-]{8,}/g, '[redacted]')
    .replace(/(\w+:\/\/[^:/@\s]+:)[^@/\s]+@/g, '$1[redacted]@');
  for (const s of secrets) if (s.length >= 8) out = out.split(s).join('[redacted]');
  return out;
}

function secretEnvValues(env: NodeJS.ProcessEnv): string[] {
  return Object.entries(env)
    .filter(([k, v]) => SECRET_ENV.test(k) && typeof v === 'string' && v.length >= 8)
    .map(([, v]) => v as string)
    .sort((a, b) => b.length - a.length);
}

export interface LoggerOptions {
  /** Where lines go (tests); stdout by default. */
  destination?: pino.DestinationStream;
  env?: NodeJS.ProcessEnv;
}

/**
 * Structured JSON logs. Every line written while a request or a command is handled carries
 * its `correlationId` (and `commandId`); secrets never reach them (by path, and scrubbed
 * from messages and errors).
 */
export function createLogger(service: string, level: string, opts: LoggerOptions = {}): PinoLogger {
  const secrets = secretEnvValues(opts.env ?? process.env);
  const errSerializer = (err: unknown) => {
    const s = pino.stdSerializers.err(err as Error) as unknown as Record<string, unknown>;
    if (typeof s?.message === 'string') s.message = scrubSecrets(s.message, secrets);
    if (typeof s?.stack === 'string') s.stack = scrubSecrets(s.stack, secrets);
    return s;
  };
  return pino(
    {
      level,
      base: { service },
      mixin: () => ({ ...logContext.current() }),
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      serializers: { err: errSerializer, error: errSerializer },
      hooks: {
        logMethod(args, method) {
          for (let i = 0; i < args.length; i++) {
            if (typeof args[i] === 'string') (args as unknown[])[i] = scrubSecrets(args[i] as string, secrets);
          }
          return method.apply(this, args);
        },
      },
    },
    opts.destination,
  );
}

/** Nest's own logs through pino. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly pino: PinoLogger) {}
  private write(level: 'info' | 'warn' | 'error' | 'debug' | 'trace', message: unknown, context?: unknown) {
    this.pino[level]({ context }, String(message));
  }
  log(message: unknown, context?: unknown) {
    this.write('debug', message, context);
  }
  error(message: unknown, trace?: unknown, context?: unknown) {
    this.pino.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: unknown) {
    this.write('warn', message, context);
  }
  debug(message: unknown, context?: unknown) {
    this.write('debug', message, context);
  }
  verbose(message: unknown, context?: unknown) {
    this.write('trace', message, context);
  }
}
