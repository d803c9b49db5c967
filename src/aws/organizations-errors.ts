// The errors of AWS Organizations: its own exception names (with a Reason for two of them), as the awsJson codec writes them.
import type { AwsError } from "./errors";

/** Exceptions of the Organizations model this service raises. */
export type OrganizationsErrorCode =
  | "AccessDeniedException"
  | "AccountAlreadyClosedException"
  | "AccountAlreadyRegisteredException"
  | "AccountNotFoundException"
  | "AccountNotRegisteredException"
  | "AlreadyInOrganizationException"
  | "AWSOrganizationsNotInUseException"
  | "ChildNotFoundException"
  | "ConcurrentModificationException"
  | "ConstraintViolationException"
  | "CreateAccountStatusNotFoundException"
  | "DestinationParentNotFoundException"
  | "DuplicateAccountException"
  | "DuplicateOrganizationalUnitException"
  | "DuplicatePolicyAttachmentException"
  | "DuplicatePolicyException"
  | "InvalidInputException"
  | "MalformedPolicyDocumentException"
  | "MasterCannotLeaveOrganizationException"
  | "OrganizationNotEmptyException"
  | "OrganizationalUnitNotEmptyException"
  | "OrganizationalUnitNotFoundException"
  | "ParentNotFoundException"
  | "PolicyInUseException"
  | "PolicyNotAttachedException"
  | "PolicyNotFoundException"
  | "PolicyTypeAlreadyEnabledException"
  | "PolicyTypeNotAvailableForOrganizationException"
  | "PolicyTypeNotEnabledException"
  | "RootNotFoundException"
  | "ServiceException"
  | "SourceParentNotFoundException"
  | "TargetNotFoundException"
  | "UnsupportedAPIEndpointException";

/** An Organizations exception: `reason` fills the model's Reason member of ConstraintViolation and InvalidInput. */
export class OrganizationsError extends Error {
  readonly code: OrganizationsErrorCode;
  readonly status: number;
  readonly reason?: string;

  constructor(code: OrganizationsErrorCode, message: string, reason?: string) {
    super(message);
    this.name = "OrganizationsError";
    this.code = code;
    this.reason = reason;
    // Organizations answers every client error with 400; only its own failures are 500.
    this.status = code === "ServiceException" ? 500 : 400;
  }
}

export const notInUse = () =>
  new OrganizationsError("AWSOrganizationsNotInUseException", "Your account is not a member of an organization.");

export const accessDenied = () =>
  new OrganizationsError("AccessDeniedException", "You don't have permissions to access this resource.");

export const invalidInput = (reason: string, message: string) =>
  new OrganizationsError("InvalidInputException", message, reason);

export const constraintViolation = (reason: string, message: string) =>
  new OrganizationsError("ConstraintViolationException", message, reason);

/** The shared core's errors in Organizations' words: AccessDenied becomes AccessDeniedException, and so on. */
export function asOrganizationsError(err: AwsError): OrganizationsError | AwsError {
  switch (err.code) {
    case "AccessDenied":
      return new OrganizationsError("AccessDeniedException", err.message);
    case "ValidationError":
      // Organizations validates its own input and reports a broken constraint as InvalidInputException.
      return new OrganizationsError("InvalidInputException", err.message, validationReason(err.message));
    default:
      return err;
  }
}

/** The InvalidInputException reason that best names the first broken constraint of a Coral validation message. */
function validationReason(message: string): string | undefined {
  if (message.includes("must not be null")) return "INPUT_REQUIRED";
  if (message.includes("regular expression pattern")) return "INVALID_PATTERN";
  if (message.includes("enum value set")) return "INVALID_ENUM";
  if (message.includes("length less than")) return "MAX_LENGTH_EXCEEDED";
  if (message.includes("length greater than")) return "MIN_LENGTH_EXCEEDED";
  if (message.includes("value less than")) return "MAX_VALUE_EXCEEDED";
  if (message.includes("value greater than")) return "MIN_VALUE_EXCEEDED";
  return undefined;
}
