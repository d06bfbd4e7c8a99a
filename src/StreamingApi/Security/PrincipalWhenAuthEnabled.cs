using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace StreamingApi.Security;

/// <summary>
/// The requirement of <see cref="AuthSchemes.RunAccessPolicy"/>: a principal, when authentication is on; nothing when it
/// is off (the embedded, local experience), so that the endpoints carry the policy either way.
/// </summary>
public sealed class PrincipalWhenAuthEnabled : IAuthorizationRequirement
{
    internal sealed class Handler(IOptions<AuthOptions> options) : AuthorizationHandler<PrincipalWhenAuthEnabled>
    {
        protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, PrincipalWhenAuthEnabled requirement)
        {
            if (!options.Value.IsEnabled || RunAccess.Name(context.User) is not null) context.Succeed(requirement);
            return Task.CompletedTask;
        }
    }
}
