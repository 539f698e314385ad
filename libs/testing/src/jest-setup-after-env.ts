import { killAll } from './processes';

// Every process a test file started dies with the file, whatever the test did.
afterAll(async () => {
  await killAll();
});
