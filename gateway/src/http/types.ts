// Brings @fastify/swagger's schema fields (tags, summary) into FastifySchema.
import type {} from '@fastify/swagger';
import type { Caller, CallerRole } from '../services/context.js';
import type { ConsentService } from '../services/consent-service.js';
import type { DeliveryService } from '../services/delivery-service.js';
import type { ReportService } from '../services/report-service.js';
import type { RetrievalService } from '../services/retrieval-service.js';
import type { SubjectService } from '../services/subject-service.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller; set before any `/v1` handler runs. */
    caller: Caller | null;
    /** The member organisation whose gateway calls a `/peer` route. */
    peerMsp: string | null;
  }
  interface FastifyContextConfig {
    /** Roles allowed to call the route; routes without `roles` (and not `peer`) are public. */
    roles?: readonly CallerRole[];
    /** A route of the gateway-to-gateway API: the caller must be another member's gateway (mTLS). */
    peer?: boolean;
  }
}

/** The services the routes call. */
export interface HttpServices {
  readonly reports: ReportService;
  readonly subjects: SubjectService;
  readonly consents: ConsentService;
  /** Present when this gateway retrieves from other members. */
  readonly retrievals?: RetrievalService;
  /** Present when this gateway delivers to other members. */
  readonly deliveries?: DeliveryService;
}
