import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * Runs Express middlewares one after the other as a single layer of Express's router. Every layer costs each request
 * a turn of the router's dispatch (path matching, parameter processing, its error handling) whatever the middleware
 * does; the ones every request passes are one layer instead of one each. A middleware that passes an error on ends
 * the chain with it, as Express would (a rejected promise too); one that throws is caught by the router around the
 * chain.
 */
export function middlewareChain(handlers: readonly RequestHandler[]): RequestHandler {
  return (req: Request, res: Response, done: NextFunction): void => {
    let index = 0;
    const next = (err?: unknown): void => {
      if (err !== undefined && err !== null) {
        done(err);
        return;
      }
      const handler = handlers[index++];
      if (handler === undefined) {
        done();
        return;
      }
      // Express 5 passes a middleware's rejected promise on as an error: so does the chain
      const result: unknown = handler(req, res, next);
      if (result instanceof Promise)
        result.catch((rejection: unknown) => done(rejection ?? new Error('Rejected')));
    };
    next();
  };
}
