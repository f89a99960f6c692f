/** Views: the EJS renderer with its cache, the helpers every template gets, and the form builder. */
export * from './form-builder';
export * from './helpers';
export * from './html';
export * from './renderer';
export * from './template-check';
export * from './template-declarations';
export * from './template-types';
