import type * as S from './schema';

/** The plain JSON shape of a schema class: what is stored and returned (never a class instance). */
export type Plain<T> = T extends (infer U)[]
  ? Plain<U>[]
  : T extends object
    ? { [K in keyof T]: Plain<T[K]> }
    : T;

export type Alliance = Plain<S.Alliance>;
export type OrganisationConfig = Plain<S.OrganisationConfig>;
export type Category = Plain<S.Category>;
export type Purpose = Plain<S.Purpose>;
export type ConsortiumConfig = Plain<S.ConsortiumConfig>;
export type Actor = Plain<S.Actor>;
export type Party = Plain<S.Party>;
export type OrgKey = Plain<S.OrgKey>;
export type OrgProfile = Plain<S.OrgProfile>;
export type SubjectSigner = Plain<S.SubjectSigner>;
export type Subject = Plain<S.Subject>;
export type Erasure = Plain<S.Erasure>;
export type Report = Plain<S.Report>;
export type ConsentRevocation = Plain<S.ConsentRevocation>;
export type Consent = Plain<S.Consent>;
export type Delivery = Plain<S.Delivery>;
export type Receipt = Plain<S.Receipt>;
export type TrailEntry = Plain<S.TrailEntry>;
export type ReportPage = Plain<S.ReportPage>;
export type ConsentPage = Plain<S.ConsentPage>;
export type ReceiptPage = Plain<S.ReceiptPage>;
export type TrailPage = Plain<S.TrailPage>;
export type UsageLine = Plain<S.UsageLine>;
export type UsageTotals = Plain<S.UsageTotals>;
export type UsageStatement = Plain<S.UsageStatement>;
