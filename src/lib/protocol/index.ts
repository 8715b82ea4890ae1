/**
 * The Talkline wire protocol, shared by the browser and the server: message types, their
 * schemas, limits and the parse/serialize helpers. No Node imports here.
 */
export * from './limits';
export * from './client-messages';
export * from './server-messages';
export * from './parse';
