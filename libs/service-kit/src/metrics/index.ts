export * from './service-metrics';
export * from './http-metrics';
export * from './projection-lag';
export * from './read-model-gauges';
