export * from './runner-http.deps';
export * from './runner-http.module';
export * from './runner-secret.guard';
