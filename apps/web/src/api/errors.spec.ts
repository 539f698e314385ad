import { ApiError, codeForStatus, describeError, parseApiError } from './errors';

describe(parseApiError.name, () => {
  const sut = parseApiError;

  it('reads the code, message and fields of a 400', () => {
    const e = sut(400, {
      error: {
        code: 'validation',
        message: 'name: must not be empty; repository.location: must not be empty',
        fields: [
          { path: 'name', message: 'must not be empty' },
          { path: 'repository.location', message: 'must not be empty' },
        ],
      },
    });
    expect(e).toBeInstanceOf(ApiError);
    expect(e).toMatchObject({ status: 400, code: 'validation', fields: [{ path: 'name' }, { path: 'repository.location' }] });
    expect(e.message).toContain('name: must not be empty');
  });

  it.each([
    [404, 'not_found'],
    [409, 'conflict'],
    [413, 'payload_too_large'],
    [422, 'invalid_state'],
    [504, 'timeout'],
  ])('keeps the code of a %i and its details', (status, code) => {
    const e = sut(status, { error: { code, message: 'why', details: { commandId: 'c1' } } });
    expect(e).toMatchObject({ status, code, message: 'why', fields: [], details: { commandId: 'c1' } });
  });

  it('names an answer that is not Baton shaped after its status', () => {
    expect(sut(502, '<html>Bad Gateway</html>')).toMatchObject({ status: 502, code: 'unavailable', fields: [] });
    expect(sut(404, undefined)).toMatchObject({ code: 'not_found' });
    expect(sut(500, { message: 'oops' })).toMatchObject({ code: 'internal' });
  });

  it('drops malformed field entries instead of failing', () => {
    const e = sut(400, { error: { code: 'validation', message: 'bad', fields: [{ path: 'name', message: 'x' }, { path: 3 }, 'junk', null] } });
    expect(e.fields).toEqual([{ path: 'name', message: 'x' }]);
  });

  it('fills a missing code or message from the status', () => {
    expect(sut(409, { error: {} })).toMatchObject({ code: 'conflict', message: 'The server answered 409.' });
  });
});

describe(codeForStatus.name, () => {
  it('maps statuses the gateway does not name', () => {
    expect(codeForStatus(401)).toBe('unauthorized');
    expect(codeForStatus(418)).toBe('bad_request');
    expect(codeForStatus(503)).toBe('unavailable');
    expect(codeForStatus(599)).toBe('internal');
  });
});

describe(ApiError.name, () => {
  it('says which failures are worth a retry', () => {
    expect(new ApiError(0, 'network', 'x').retryable).toBe(true);
    expect(new ApiError(504, 'timeout', 'x').retryable).toBe(true);
    expect(new ApiError(400, 'validation', 'x').retryable).toBe(false);
    expect(new ApiError(409, 'conflict', 'x').retryable).toBe(false);
  });
});

describe(describeError.name, () => {
  it('explains the failures that carry no useful message of their own', () => {
    expect(describeError(new ApiError(0, 'network', 'x'))).toMatch(/Cannot reach/);
    expect(describeError(new ApiError(504, 'timeout', 'x'))).toMatch(/refresh before retrying/);
    expect(describeError(new ApiError(409, 'conflict', 'name taken'))).toBe('name taken');
    expect(describeError(new Error('boom'))).toBe('boom');
    expect(describeError('??')).toBe('Something went wrong.');
  });
});
