namespace StreamingApi.Security;

/// <summary>The body of <c>GET /auth</c>.</summary>
/// <param name="Required">Whether endpoints with runs need credentials.</param>
/// <param name="Schemes">Those accepted: <c>apiKey</c> (Authorization: Bearer or X-Api-Key), <c>jwt</c> (Authorization: Bearer), <c>ticket</c> (?ticket=, from POST /auth/tickets).</param>
public sealed record AuthRequirements(bool Required, IReadOnlyList<string> Schemes)
{
    public static AuthRequirements Of(AuthOptions options) => new(options.IsEnabled,
        [.. options.UsesApiKeys ? ["apiKey"] : Array.Empty<string>(), .. options.UsesJwt ? ["jwt"] : Array.Empty<string>(),
            .. options.IsEnabled ? ["ticket"] : Array.Empty<string>()]);
}
