using Microsoft.AspNetCore.Cors.Infrastructure;

namespace StreamingApi.Browsers;

/// <summary>
/// Which other origins' pages may call the API from a browser (<c>Cors:AllowedOrigins</c>; none by default, so only
/// the console page, on the API's own origin, can). Without credentials: the frontends authenticate with a header
/// (<c>Authorization</c>), which CORS lets through without them, so cookies never ride along on another site's request.
/// </summary>
public static class CrossOrigin
{
    public const string Section = "Cors:AllowedOrigins";

    /// <summary>
    /// What the frontends send beyond the safelisted headers: a JSON body (<c>useChat</c>, AG-UI's <c>HttpAgent</c>),
    /// a key (either header), and a resumed stream's position.
    /// </summary>
    public static readonly string[] RequestHeaders = ["Content-Type", "Accept", "Authorization", "X-Api-Key", "Last-Event-ID"];

    /// <summary>What the frontends read: a run's address, when to retry a 503 or 429, how to authenticate, and the UI message stream's version.</summary>
    public static readonly string[] ExposedHeaders = ["Location", "Retry-After", "WWW-Authenticate", "x-vercel-ai-ui-message-stream"];

    /// <summary>
    /// The configured origins: a list (<c>Cors:AllowedOrigins:0</c>, ...) or one comma-separated value (handy in an
    /// environment variable); <c>*</c> allows any. A trailing slash is dropped, as browsers send none.
    /// </summary>
    public static string[] AllowedOrigins(IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        // appsettings.json lists none (an empty array, which reads as an empty value): the list wins over it when set.
        var origins = section.Get<string[]>() is { Length: > 0 } list ? list : section.Value?.Split(',') ?? [];
        return [.. origins.Select(origin => origin.Trim().TrimEnd('/')).Where(origin => origin.Length > 0)];
    }

    /// <summary>The default policy, which <c>UseCors()</c> applies to every request that carries an <c>Origin</c>.</summary>
    public static void Configure(CorsOptions options, IConfiguration configuration) =>
        options.AddDefaultPolicy(policy => policy
            .WithOrigins(AllowedOrigins(configuration))
            .WithMethods(HttpMethods.Get, HttpMethods.Post)
            .WithHeaders(RequestHeaders)
            .WithExposedHeaders(ExposedHeaders)
            .SetPreflightMaxAge(TimeSpan.FromMinutes(10)));
}
