// IAM console passwords: create, read, update and delete login profiles, and ChangePassword for the calling user.
import { z } from "zod";
import { AwsError } from "../aws/errors";
import { hashPassword, verifyPassword } from "../aws/crypto";
import { entityRef, iamOperation, type Operation, type OperationContext } from "../core/operation";
import { bool } from "../api/validation";
import {
  deleteLoginProfile,
  insertLoginProfile,
  loadPasswordContext,
  noSuchLoginProfile,
  updateLoginProfile,
} from "../store/login-profiles";
import { assertPasswordAllowed, authorizeSelfService } from "./account";
import { userOrCaller } from "./access-keys";
import { password, userName } from "./fields";

/** The user a login-profile call names, or the calling IAM user when UserName is left out. */
function userNameOrCaller(ctx: OperationContext, name: string | undefined): string {
  if (name !== undefined) return name;
  if (ctx.principal.kind === "user") return ctx.principal.name;
  throw new AwsError("ValidationError", "Must specify userName when calling with non-User credentials");
}

export const createLoginProfile = iamOperation(
  "CreateLoginProfile",
  z.object({ UserName: userName.optional(), Password: password.optional(), PasswordResetRequired: bool().optional() }),
  (i, ctx) => userOrCaller(ctx, i.UserName),
  async (i, ctx) => {
    // The model marks Password optional only for root password recovery, which this simulator does not model.
    if (i.Password === undefined) {
      throw new AwsError(
        "ValidationError",
        "1 validation error detected: Value null at 'password' failed to satisfy constraint: Member must not be null",
      );
    }
    const { user, profile, policy } = await loadPasswordContext(
      ctx.db,
      ctx.accountId,
      userNameOrCaller(ctx, i.UserName),
    );
    if (profile) throw new AwsError("EntityAlreadyExists", `Login Profile for user ${user.name} already exists.`);
    assertPasswordAllowed(policy, i.Password);
    const row = {
      userId: user.id,
      accountId: ctx.accountId,
      passwordHash: await hashPassword(i.Password),
      passwordResetRequired: i.PasswordResetRequired ?? false,
      createdAt: ctx.now.getTime(),
    };
    await insertLoginProfile(ctx.db, row, user.name);
    return {
      LoginProfile: {
        UserName: user.name,
        CreateDate: new Date(row.createdAt),
        PasswordResetRequired: row.passwordResetRequired,
      },
    };
  },
);

export const getLoginProfile = iamOperation(
  "GetLoginProfile",
  z.object({ UserName: userName.optional() }),
  (i, ctx) => userOrCaller(ctx, i.UserName),
  async (i, ctx) => {
    const { user, profile } = await loadPasswordContext(ctx.db, ctx.accountId, userNameOrCaller(ctx, i.UserName));
    if (!profile) throw noSuchLoginProfile(user.name);
    return {
      LoginProfile: {
        UserName: user.name,
        CreateDate: new Date(profile.createdAt),
        PasswordResetRequired: profile.passwordResetRequired,
      },
    };
  },
);

export const updateLoginProfileOp = iamOperation(
  "UpdateLoginProfile",
  z.object({ UserName: userName, Password: password.optional(), PasswordResetRequired: bool().optional() }),
  (i, ctx) => entityRef(ctx, "user", i.UserName),
  async (i, ctx) => {
    const { user, profile, policy } = await loadPasswordContext(ctx.db, ctx.accountId, i.UserName);
    if (!profile) throw noSuchLoginProfile(user.name);
    if (i.Password !== undefined) assertPasswordAllowed(policy, i.Password);
    await updateLoginProfile(ctx.db, user.id, {
      ...(i.Password !== undefined ? { passwordHash: await hashPassword(i.Password) } : {}),
      ...(i.PasswordResetRequired !== undefined ? { passwordResetRequired: i.PasswordResetRequired } : {}),
    });
    return undefined;
  },
);

export const deleteLoginProfileOp = iamOperation(
  "DeleteLoginProfile",
  z.object({ UserName: userName.optional() }),
  (i, ctx) => userOrCaller(ctx, i.UserName),
  async (i, ctx) => {
    const { user, profile } = await loadPasswordContext(ctx.db, ctx.accountId, userNameOrCaller(ctx, i.UserName));
    if (!profile) throw noSuchLoginProfile(user.name);
    await deleteLoginProfile(ctx.db, user.id);
    return undefined;
  },
);

const invalidUserType = (message: string) => new AwsError("InvalidUserType", message);

/**
 * The calling IAM user changes its own password. Authorized in the handler (action null in the table) because
 * the account's AllowUsersToChangePassword setting grants it without any policy.
 */
export const changePassword: Operation<z.ZodObject<{ OldPassword: typeof password; NewPassword: typeof password }>> = {
  ...iamOperation(
    "ChangePassword",
    z.object({ OldPassword: password, NewPassword: password }),
    (_i, ctx) => ctx.principal.arn,
    async (i, ctx) => {
      if (ctx.principal.kind !== "user") {
        throw invalidUserType("Only IAM users can change their own password.");
      }
      const { user, profile, policy } = await loadPasswordContext(ctx.db, ctx.accountId, ctx.principal.name);
      await authorizeSelfService(ctx, policy, "iam:ChangePassword", entityRef(ctx, "user", user.name));
      if (!profile) throw noSuchLoginProfile(user.name);
      if (!(await verifyPassword(i.OldPassword, profile.passwordHash))) {
        throw new AwsError("AccessDenied", "The old password is incorrect.");
      }
      assertPasswordAllowed(policy, i.NewPassword);
      await updateLoginProfile(ctx.db, user.id, {
        passwordHash: await hashPassword(i.NewPassword),
        passwordResetRequired: false,
      });
      return undefined;
    },
  ),
  action: null,
};

export const loginProfileOperations = [
  createLoginProfile,
  getLoginProfile,
  updateLoginProfileOp,
  deleteLoginProfileOp,
  changePassword,
];
