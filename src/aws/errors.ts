// The one typed error of the service: an AWS error code, its HTTP status and a message, encoded once by the pipeline.

/** Error codes this service answers with, and the HTTP status AWS uses for each. */
export const ERROR_STATUS = {
  AccessDenied: 403,
  AccessDeniedException: 403,
  /** Centralized root access (IAM's organization features): the model's exception names are the wire codes. */
  AccountNotManagementOrDelegatedAdministratorException: 400,
  CallerIsNotManagementAccountException: 400,
  ConcurrentModification: 409,
  DeleteConflict: 409,
  DuplicateCertificate: 409,
  DuplicateSSHPublicKey: 400,
  EntityAlreadyExists: 409,
  EntityTemporarilyUnmodifiable: 409,
  ExpiredToken: 400,
  /** AssumeRoleWithWebIdentity: an expired web identity token (the STS model names this code with its suffix). */
  ExpiredTokenException: 400,
  /** Outbound web identity federation (IAM FeatureEnabled/FeatureDisabled; STS GetWebIdentityToken's exceptions). */
  FeatureDisabled: 404,
  FeatureEnabled: 409,
  IDPCommunicationError: 400,
  IDPRejectedClaim: 403,
  IncompleteSignature: 400,
  JWTPayloadSizeExceededException: 400,
  OutboundWebIdentityFederationDisabledException: 403,
  SessionDurationEscalationException: 403,
  InvalidAction: 400,
  InvalidAuthenticationCode: 403,
  InvalidCertificate: 400,
  InvalidClientTokenId: 403,
  InvalidIdentityToken: 400,
  InvalidInput: 400,
  InvalidParameterCombination: 400,
  InvalidParameterValue: 400,
  InvalidPublicKey: 400,
  InvalidQueryParameter: 400,
  InvalidUserType: 400,
  KeyPairMismatch: 400,
  LimitExceeded: 409,
  MalformedCertificate: 400,
  MalformedPolicyDocument: 400,
  MalformedQueryString: 404,
  MissingAction: 400,
  MissingAuthenticationToken: 403,
  MissingParameter: 400,
  NoSuchEntity: 404,
  NotFound: 404,
  OrganizationNotFoundException: 400,
  OrganizationNotInAllFeaturesModeException: 400,
  OptInRequired: 403,
  PackedPolicyTooLarge: 400,
  PasswordPolicyViolation: 400,
  PolicyEvaluation: 500,
  PolicyNotAttachable: 400,
  ReportExpired: 410,
  ReportNotPresent: 410,
  RequestExpired: 400,
  InternalFailure: 500,
  ServiceAccessNotEnabledException: 400,
  ServiceFailure: 500,
  ServiceNotSupported: 404,
  /** AWS's common error for a service that cannot serve now; here, a deployment still on development secrets. */
  ServiceUnavailable: 503,
  SignatureDoesNotMatch: 403,
  UnmodifiableEntity: 400,
  UnrecognizedPublicKeyEncoding: 400,
  UnrecognizedClient: 403,
  ValidationError: 400,
  RequestEntityTooLarge: 413,
} as const;

export type AwsErrorCode = keyof typeof ERROR_STATUS;

export class AwsError extends Error {
  readonly code: AwsErrorCode;
  readonly status: number;

  constructor(code: AwsErrorCode, message: string, status?: number) {
    super(message);
    this.name = "AwsError";
    this.code = code;
    this.status = status ?? ERROR_STATUS[code];
  }

  /** AWS marks errors the caller caused as Sender, ours as Receiver. */
  get type(): "Sender" | "Receiver" {
    return this.status >= 500 ? "Receiver" : "Sender";
  }
}

/**
 * AWS's IAM error for simultaneous changes to one object, in the model's words: what a write answers when a
 * concurrent request changed what it was about to change in a way no other error describes.
 */
export const concurrentModification = () =>
  new AwsError(
    "ConcurrentModification",
    "The request was rejected because multiple requests to change this object were submitted simultaneously. " +
      "Wait a few minutes and submit your request again.",
  );
