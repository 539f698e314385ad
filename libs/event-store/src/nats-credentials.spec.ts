import { natsCredentials } from './broker';

describe(natsCredentials.name, () => {
  it('takes user and password out of the URLs (nats.js ignores them there) and keeps the servers', () => {
    expect(natsCredentials(['nats://baton:s%40cret@127.0.0.1:4222', 'nats://baton:s%40cret@10.0.0.2:4222'])).toEqual({
      servers: ['nats://127.0.0.1:4222', 'nats://10.0.0.2:4222'],
      credentials: { user: 'baton', pass: 's@cret' },
    });
  });

  it('leaves URLs without credentials as they are', () => {
    expect(natsCredentials('nats://127.0.0.1:4222')).toEqual({ servers: ['nats://127.0.0.1:4222'], credentials: {} });
  });
});
