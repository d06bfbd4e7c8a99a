using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace StreamingApi.Security;

/// <summary>
/// Which scheme a request's credentials are for, by their shape: a <c>?ticket=</c> on a GET (EventSource), an
/// <c>X-Api-Key</c>, or a bearer token, which is a JWT when it has a JWT's three parts and JWTs are configured, and
/// an API key otherwise (a key has no dots). A request without credentials is challenged by JWT when it is configured.
/// </summary>
internal static class SchemeSelector
{
    public static string Select(HttpContext http)
    {
        var request = http.Request;
        if (HttpMethods.IsGet(request.Method) && request.Query.ContainsKey(AuthSchemes.TicketParameter)) return AuthSchemes.Ticket;
        if (request.Headers.ContainsKey(AuthSchemes.ApiKeyHeader)) return AuthSchemes.ApiKey;
        var usesJwt = http.RequestServices.GetRequiredService<IOptions<AuthOptions>>().Value.UsesJwt;
        if (BearerToken(request) is { } token) return usesJwt && token.Count(c => c == '.') == 2 ? AuthSchemes.Jwt : AuthSchemes.ApiKey;
        return usesJwt ? AuthSchemes.Jwt : AuthSchemes.ApiKey;
    }

    /// <summary>The token of an <c>Authorization: Bearer</c> header, or null.</summary>
    public static string? BearerToken(HttpRequest request)
    {
        string? header = request.Headers[HeaderNames.Authorization];
        const string prefix = "Bearer ";
        return header is not null && header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) ? header[prefix.Length..].Trim() : null;
    }
}
