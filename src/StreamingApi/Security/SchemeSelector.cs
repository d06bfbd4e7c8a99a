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
        if (HasBearerToken(request, out var token)) return usesJwt && token.Count('.') == 2 ? AuthSchemes.Jwt : AuthSchemes.ApiKey;
        return usesJwt ? AuthSchemes.Jwt : AuthSchemes.ApiKey;
    }

    /// <summary>The token of an <c>Authorization: Bearer</c> header, without a copy; empty when there is none.</summary>
    public static ReadOnlySpan<char> BearerTokenOf(HttpRequest request) => HasBearerToken(request, out var token) ? token : default;

    private static bool HasBearerToken(HttpRequest request, out ReadOnlySpan<char> token)
    {
        string? header = request.Headers[HeaderNames.Authorization];
        const string prefix = "Bearer ";
        if (header is null || !header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            token = default;
            return false;
        }
        token = header.AsSpan(prefix.Length).Trim();
        return true;
    }
}
