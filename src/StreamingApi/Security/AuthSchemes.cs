namespace StreamingApi.Security;

/// <summary>The names of the authentication schemes and of the policy that endpoints with runs require.</summary>
public static class AuthSchemes
{
    /// <summary>The default scheme: it authenticates API keys, and forwards other credentials to their scheme (<see cref="SchemeSelector"/>).</summary>
    public const string ApiKey = "ApiKey";

    public const string Ticket = "Ticket";

    /// <summary>ASP.NET Core's JwtBearer handler.</summary>
    public const string Jwt = "Bearer";

    /// <summary>The policy on every endpoint that starts, reads, resumes or cancels a run.</summary>
    public const string RunAccessPolicy = "RunAccess";

    /// <summary>The claim that names the principal (a token's <c>sub</c>).</summary>
    public const string PrincipalClaim = "sub";

    /// <summary>The claim that holds the ticket a request came with (never logged).</summary>
    public const string TicketClaim = "ticket";

    /// <summary>The header an API key may come in, instead of <c>Authorization: Bearer</c>.</summary>
    public const string ApiKeyHeader = "X-Api-Key";

    /// <summary>The query parameter that carries a ticket.</summary>
    public const string TicketParameter = "ticket";
}
