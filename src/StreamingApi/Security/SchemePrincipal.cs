using System.Security.Claims;
using System.Security.Principal;

namespace StreamingApi.Security;

/// <summary>
/// The principal of the service's own schemes (an API key's, a ticket's): one identity of the scheme, named by its
/// <c>sub</c> claim. A request reads its principal's identity and name several times (authorization, ownership, limit
/// keys), and ClaimsPrincipal and ClaimsIdentity find them by enumerating their lists at every read; this principal
/// keeps both as it is made. Nothing adds claims to a principal once it is made.
/// </summary>
internal sealed class SchemePrincipal : ClaimsPrincipal
{
    private readonly NamedIdentity _identity;

    private SchemePrincipal(NamedIdentity identity) : base(identity) => _identity = identity;

    /// <summary>A principal of <paramref name="scheme"/> named <paramref name="name"/>, with the claims that follow its <c>sub</c>.</summary>
    public static SchemePrincipal Of(string scheme, string name, params ReadOnlySpan<Claim> more) =>
        new(new NamedIdentity([new Claim(AuthSchemes.PrincipalClaim, name), .. more], scheme));

    public override IIdentity Identity => _identity;

    private sealed class NamedIdentity : ClaimsIdentity
    {
        private readonly string? _name;

        public NamedIdentity(IEnumerable<Claim> claims, string scheme) : base(claims, scheme, AuthSchemes.PrincipalClaim, ClaimTypes.Role) =>
            _name = base.Name;

        public override string? Name => _name;
    }
}
