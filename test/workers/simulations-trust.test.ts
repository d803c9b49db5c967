// Trust simulation through /v1/simulations: "can P assume role R" decided on both sides (P's identity policies and R's stored trust policy) for users, sessions, accounts, services and federated principals, in AWS's documented cases.
import { CreateRoleCommand, CreateUserCommand, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import { describe, expect, it } from "vitest";
import { ACCOUNT } from "./fixtures";
import { iamClient } from "./sdk";
import { policy, signed, type Answer } from "./simulations-helpers";

const root = iamClient();
const OTHER = "210987654321";
const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;

async function role(name: string, trust: Record<string, unknown>[]): Promise<string> {
  await root.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: policy(...trust) }));
  return roleArn(name);
}

async function simulate(body: Record<string, unknown>): Promise<Answer> {
  const res = await signed("POST", "/v1/simulations", body);
  expect(res.status).toBe(200);
  return (await res.json()) as Answer;
}

const decisions = (a: Answer) => a.results.map((r) => [r.action, r.resource, r.decision, r.decidedBy]);

describe("trust simulation", () => {
  // https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html: in the same account, either the
  // user's identity policy allows sts:AssumeRole and the trust policy names the account, or the trust policy
  // names the user itself (then no identity policy is needed).
  it("a same-account user: trust naming the account needs an identity Allow; naming the user does not", async () => {
    await root.send(new CreateUserCommand({ UserName: "trust-ann" }));
    const user = `arn:aws:iam::${ACCOUNT}:user/trust-ann`;
    const byAccount = await role("trust-by-account", [
      { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "sts:AssumeRole" },
    ]);
    const byUser = await role("trust-by-user", [
      { Effect: "Allow", Principal: { AWS: user }, Action: "sts:AssumeRole" },
    ]);
    const first = await simulate({ principal: user, actions: ["sts:AssumeRole"], resources: [byAccount, byUser] });
    expect(decisions(first)).toEqual([
      ["sts:AssumeRole", byAccount, "ImplicitDeny", "identity"],
      ["sts:AssumeRole", byUser, "Allowed", "resource"],
    ]);
    expect(first.results.every((r) => r.trust === true)).toBe(true);
    // The trust statement is reported with its lines in the role's trust policy.
    expect(first.results[1]?.matched[0]).toMatchObject({ policyId: `trust:${byUser}`, startLine: 4 });

    await root.send(
      new PutUserPolicyCommand({
        UserName: "trust-ann",
        PolicyName: "assume",
        PolicyDocument: policy({ Effect: "Allow", Action: "sts:AssumeRole", Resource: byAccount }),
      }),
    );
    const second = await simulate({ principal: user, actions: ["sts:AssumeRole"], resources: [byAccount] });
    expect(decisions(second)).toEqual([["sts:AssumeRole", byAccount, "Allowed", "identity"]]);
  });

  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html:
  // across accounts both the trust policy and the caller's account must allow; the root user needs no policy.
  it("another account's root: allowed only when the trust policy names that account", async () => {
    const crossTrust = await role("trust-cross", [
      { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${OTHER}:root` }, Action: "sts:AssumeRole" },
    ]);
    const other = await simulate({
      principal: `arn:aws:iam::${OTHER}:root`,
      actions: ["sts:AssumeRole"],
      resources: [crossTrust],
    });
    expect(decisions(other)).toEqual([["sts:AssumeRole", crossTrust, "Allowed", "resource"]]);
    const stranger = await simulate({
      principal: "arn:aws:iam::333333333333:root",
      actions: ["sts:AssumeRole"],
      resources: [crossTrust],
    });
    expect(stranger.results[0]?.decision).toBe("ImplicitDeny");
  });

  // https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html: the execution role's trust
  // policy lets lambda.amazonaws.com assume it; the service has no identity policies, so the trust policy decides.
  it("a service principal: the trust policy alone decides", async () => {
    const exec = await role("trust-lambda-exec", [
      { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
    ]);
    const lambda = await simulate({
      principal: "lambda.amazonaws.com",
      actions: ["sts:AssumeRole"],
      resources: [exec],
    });
    expect(decisions(lambda)).toEqual([["sts:AssumeRole", exec, "Allowed", "resource"]]);
    const ec2 = await simulate({ principal: "ec2.amazonaws.com", actions: ["sts:AssumeRole"], resources: [exec] });
    expect(decisions(ec2)).toEqual([["sts:AssumeRole", exec, "ImplicitDeny", "resource"]]);
  });

  // https://docs.aws.amazon.com/cognito/latest/developerguide/role-trust-and-permissions.html: an identity pool
  // role trusts cognito-identity.amazonaws.com for sts:AssumeRoleWithWebIdentity when the token's aud is the pool.
  it("a web-identity principal: the trust policy and the given context decide", async () => {
    const pool = "us-east-1:12345678-aaaa-bbbb-cccc-123456789012";
    const cognito = await role("trust-cognito", [
      {
        Effect: "Allow",
        Principal: { Federated: "cognito-identity.amazonaws.com" },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: { "cognito-identity.amazonaws.com:aud": pool },
          "ForAnyValue:StringLike": { "cognito-identity.amazonaws.com:amr": "authenticated" },
        },
      },
    ]);
    const base = {
      principal: { federated: "cognito-identity.amazonaws.com" },
      actions: ["sts:AssumeRoleWithWebIdentity"],
      resources: [cognito],
    };
    const ok = await simulate({
      ...base,
      context: { "cognito-identity.amazonaws.com:aud": pool, "cognito-identity.amazonaws.com:amr": ["authenticated"] },
    });
    expect(ok.results[0]?.decision).toBe("Allowed");
    const wrongPool = await simulate({
      ...base,
      context: {
        "cognito-identity.amazonaws.com:aud": "us-east-1:other",
        "cognito-identity.amazonaws.com:amr": ["authenticated"],
      },
    });
    expect(wrongPool.results[0]?.decision).toBe("ImplicitDeny");
    const noContext = await simulate(base);
    expect(noContext.results[0]).toMatchObject({ decision: "ImplicitDeny" });
    expect(noContext.results[0]?.missing).toContain("cognito-identity.amazonaws.com:aud");
  });

  // https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_saml.html: a SAML role trusts the
  // provider for sts:AssumeRoleWithSAML with SAML:aud set to the AWS sign-in endpoint.
  it("a SAML principal: the trust policy decides on SAML:aud", async () => {
    const provider = `arn:aws:iam::${ACCOUNT}:saml-provider/Corp`;
    const saml = await role("trust-saml", [
      {
        Effect: "Allow",
        Principal: { Federated: provider },
        Action: "sts:AssumeRoleWithSAML",
        Condition: { StringEquals: { "SAML:aud": "https://signin.aws.amazon.com/saml" } },
      },
    ]);
    const base = { principal: { federated: provider }, actions: ["sts:AssumeRoleWithSAML"], resources: [saml] };
    const ok = await simulate({ ...base, context: { "SAML:aud": "https://signin.aws.amazon.com/saml" } });
    expect(ok.results[0]?.decision).toBe("Allowed");
    const other = await simulate({ ...base, context: { "SAML:aud": "https://example.com/saml" } });
    expect(other.results[0]?.decision).toBe("ImplicitDeny");
  });

  it("a role session assuming another role, and a proposed trust policy as the what-if", async () => {
    await role("trust-hop-source", [
      { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" },
    ]);
    const target = await role("trust-hop-target", [
      { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" },
    ]);
    const session = `arn:aws:sts::${ACCOUNT}:assumed-role/trust-hop-source/i-0abc`;
    const out = await simulate({
      principal: session,
      actions: ["sts:AssumeRole", "s3:GetObject"],
      resources: [target],
      whatIf: {
        resourcePolicy: {
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { AWS: roleArn("trust-hop-source") }, Action: "sts:AssumeRole" }],
        },
      },
    });
    // Today the target trusts only EC2; with the proposed trust policy naming the source role, its sessions may.
    expect(out.results[0]).toMatchObject({
      decision: "Allowed",
      decidedBy: "resource",
      before: { decision: "ImplicitDeny" },
    });
    expect(out.diff).toEqual([
      { action: "sts:AssumeRole", resource: target, before: "ImplicitDeny", after: "Allowed" },
    ]);
  });

  it("warns when the assumed role is not stored", async () => {
    const missing = roleArn("trust-nowhere");
    const out = await simulate({
      principal: "lambda.amazonaws.com",
      actions: ["sts:AssumeRole"],
      resources: [missing],
    });
    expect(out.warnings.some((w) => w.includes(missing))).toBe(true);
    expect(out.results[0]?.trust).toBeUndefined();
  });
});
