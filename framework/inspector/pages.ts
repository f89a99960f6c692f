import fs from 'node:fs';
import path from 'node:path';
import type { NextFunction, Request, Response } from 'express';
import { ViewRenderer } from '../view';
import type { RequestRecord } from './record';
import { summaryOf } from './record';
import type { Recorder } from './recorder';
import { timeline } from './timeline';

/** The inspector's templates and assets: beside this file in the sources; from dist/, back in the sources. */
export function ownFolder(name: string): string {
  const beside = path.join(__dirname, name);
  if (fs.existsSync(beside)) return beside;
  return path.join(__dirname, '..', '..', '..', 'framework', 'inspector', name);
}

const isLoopback = (address: string) => address === '::1' || /^(::ffff:)?127\.\d+\.\d+\.\d+$/.test(address);

/**
 * True when the client is on this machine (or configured): the socket's own address, and every
 * address a proxy says it forwarded for, since a tunnel or proxy on this machine (ngrok, nginx)
 * connects from loopback on behalf of anyone.
 */
export function isAllowed(request: Request, allow: readonly string[]): boolean {
  const forwarded = [request.headers['x-forwarded-for'], request.headers['x-real-ip'], request.headers.forwarded ? 'forwarded' : undefined]
    .flatMap((value) => (typeof value === 'string' ? value.split(',') : []))
    .map((value) => value.trim());
  const addresses = [request.socket.remoteAddress ?? '', ...forwarded];
  return addresses.every((address) => isLoopback(address) || allow.includes(address) || allow.includes(address.replace(/^::ffff:/, '')));
}

const assets: Record<string, string> = { 'inspector.css': 'text/css; charset=utf-8', 'inspector.js': 'text/javascript; charset=utf-8' };

/** How long a live stream stays open before the browser reconnects (with `Last-Event-ID`): a shutdown waits for no open stream longer than this. */
const streamLifetimeMs = 5_000;

/** The handler of `/_trestle/*`: the request list and one request, as HTML and JSON, the live stream, and the assets. */
export function inspectorPages(recorder: Recorder, allow: readonly string[]) {
  const views = new ViewRenderer({ viewsDir: ownFolder('templates'), cache: true, defaultLayout: 'inspector' });
  const assetDir = ownFolder('assets');
  const page = (response: Response, name: string, locals: Record<string, unknown>) => {
    response.setHeader('Cache-Control', 'no-store');
    response.type('html').send(views.render(name, locals));
  };
  const json = (response: Response, body: unknown) => {
    response.setHeader('Cache-Control', 'no-store');
    response.json(body);
  };

  return function inspectorPage(request: Request, response: Response, next: NextFunction): void {
    // Anyone else gets the app's 404, as in production: the inspector is no way in.
    if (!isAllowed(request, allow) || (request.method !== 'GET' && request.method !== 'HEAD')) return next();
    const rest = request.path.slice('/_trestle/'.length);
    if (rest.startsWith('assets/') && assets[rest.slice(7)]) {
      response.type(assets[rest.slice(7)]!).setHeader('Cache-Control', 'no-cache');
      return response.sendFile(path.join(assetDir, rest.slice(7)));
    }
    if (rest === 'requests') return page(response, 'list', { title: 'Requests', records: recorder.ring.list().map(summaryOf), size: recorder.ring.size });
    if (rest === 'requests.json') return json(response, { requests: recorder.ring.list().map(summaryOf) });
    if (rest === 'requests/stream') return stream(recorder, request, response);
    const one = /^requests\/([^/]+?)(\.json)?$/.exec(rest);
    const record = one && recorder.ring.find(decodeURIComponent(one[1]!));
    if (one && !record) {
      response.status(404);
      if (one[2]) return json(response, { error: `No request ${one[1]} among the last ${recorder.ring.size}.` });
      return page(response, 'missing', { title: 'Not recorded', id: one[1] });
    }
    if (record && one![2]) return json(response, record);
    if (record) return page(response, 'show', { title: `${record.method} ${record.path}`, record, timeline: timeline(record) });
    next();
  };
}

/** Server-sent events: one `request` event per finished request, from where the browser's `Last-Event-ID` says it was. */
function stream(recorder: Recorder, request: Request, response: Response): void {
  response.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no' });
  const send = (record: RequestRecord, sequence: number) => response.write(`id: ${sequence}\nevent: request\ndata: ${JSON.stringify(summaryOf(record))}\n\n`);
  const lastSeen = Number(request.headers['last-event-id']);
  response.write(`retry: 500\n\n`);
  if (Number.isInteger(lastSeen)) for (const missed of recorder.since(lastSeen)) send(missed.record, missed.sequence);
  else response.write(`id: ${recorder.sequence}\n\n`);
  const unsubscribe = recorder.subscribe(send);
  const close = setTimeout(() => response.end(), streamLifetimeMs);
  response.once('close', () => {
    clearTimeout(close);
    unsubscribe();
  });
}
