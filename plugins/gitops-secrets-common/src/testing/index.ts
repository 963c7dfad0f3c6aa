/**
 * Object builders for tests, shared by the tests of -common, the backend and
 * the card: literal slim objects as the backend's `slimObject` leaves them.
 *
 * @packageDocumentation
 */

export * from './builders';
