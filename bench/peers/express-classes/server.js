/**
 * The strict bare-Express baseline, served as Trestle's `serve()` serves an app: Node's server builds each
 * request and response with the app's prototypes, so Express does not swap them per request. It
 * shows what Trestle's kernel costs once both sides have that: `npm run bench -- --peers`.
 */
const http = require('node:http');
const path = require('node:path');

const createServer = http.createServer;
http.createServer = function createServerWithAppClasses(...args) {
  const app = args.find((arg) => typeof arg === 'function' && arg.request && arg.response);
  if (!app || args.length !== 1) return createServer.apply(this, args);
  function AppRequest(socket) {
    http.IncomingMessage.call(this, socket);
  }
  AppRequest.prototype = app.request;
  function AppResponse(request, options) {
    http.ServerResponse.call(this, request, options);
  }
  AppResponse.prototype = app.response;
  return createServer.call(this, { IncomingMessage: AppRequest, ServerResponse: AppResponse }, app);
};

// The strict baseline itself, as the driver compiled it.
require(path.join(__dirname, '..', '..', '..', 'tmp', 'bench-dist', 'bench', 'express', 'server.js'));
