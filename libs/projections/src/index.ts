export * from './projection';
export * from './projection-runner';
export * from './database';
export * from './checkpoint.migration';
