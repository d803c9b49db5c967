// The XML shapes IAM returns for its entities, built from stored rows in the model's member order.
import type { XmlValue } from "../aws/xml";
import type { Tag } from "../store/tags";

const date = (ms: number) => new Date(ms);

/** AWS omits an empty Tags list rather than sending an empty element. */
function tagsOrNothing(list: Tag[] | undefined): Tag[] | undefined {
  return list && list.length > 0 ? list : undefined;
}

function boundary(arn: string | null): XmlValue | undefined {
  return arn ? { PermissionsBoundaryType: "PermissionsBoundaryPolicy", PermissionsBoundaryArn: arn } : undefined;
}

export function userShape(
  u: {
    path: string;
    name: string;
    id: string;
    arn: string;
    createdAt: number;
    passwordLastUsed: number | null;
    permissionsBoundaryArn: string | null;
  },
  tags?: Tag[],
): XmlValue {
  return {
    Path: u.path,
    UserName: u.name,
    UserId: u.id,
    Arn: u.arn,
    CreateDate: date(u.createdAt),
    PasswordLastUsed: u.passwordLastUsed === null ? undefined : date(u.passwordLastUsed),
    PermissionsBoundary: boundary(u.permissionsBoundaryArn),
    Tags: tagsOrNothing(tags) as XmlValue | undefined,
  };
}

export function groupShape(g: { path: string; name: string; id: string; arn: string; createdAt: number }): XmlValue {
  return { Path: g.path, GroupName: g.name, GroupId: g.id, Arn: g.arn, CreateDate: date(g.createdAt) };
}

export function roleShape(
  r: {
    path: string;
    name: string;
    id: string;
    arn: string;
    createdAt: number;
    assumeRolePolicy: string;
    description: string | null;
    maxSessionDuration: number;
    permissionsBoundaryArn: string | null;
    lastUsedAt: number | null;
    lastUsedRegion: string | null;
  },
  tags?: Tag[],
  detail = true,
): XmlValue {
  return {
    Path: r.path,
    RoleName: r.name,
    RoleId: r.id,
    Arn: r.arn,
    CreateDate: date(r.createdAt),
    // Policy documents travel URL-encoded inside the XML, as AWS sends them.
    AssumeRolePolicyDocument: encodeURIComponent(r.assumeRolePolicy),
    Description: r.description ?? undefined,
    MaxSessionDuration: r.maxSessionDuration,
    PermissionsBoundary: boundary(r.permissionsBoundaryArn),
    Tags: tagsOrNothing(tags) as XmlValue | undefined,
    RoleLastUsed: detail
      ? {
          LastUsedDate: r.lastUsedAt === null ? undefined : date(r.lastUsedAt),
          Region: r.lastUsedRegion ?? undefined,
        }
      : undefined,
  };
}
