import { CHANNEL_FORMATS, NOTIFICATION_KINDS } from '@baton/events';
import { FORMATS, KINDS } from './notifications-api';

describe('the web copy of the notification vocabulary', () => {
  it('offers exactly the kinds and formats the API takes (the web does not load zod, so it keeps its own list)', () => {
    expect(KINDS.map((k) => k.kind)).toEqual([...NOTIFICATION_KINDS]);
    expect(FORMATS.map((f) => f.format)).toEqual([...CHANNEL_FORMATS]);
  });
});
