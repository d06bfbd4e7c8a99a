namespace StreamingApi.Browsers;

/// <summary>
/// Headers that tell a browser what the page may do: every response gets them (the page, its files, the API), set
/// just before the headers are sent, so that a response an exception handler rewrote keeps them and a stream is not
/// held back. An endpoint that sets its own <c>Content-Security-Policy</c> keeps it.
/// </summary>
public static class SecurityHeaders
{
    /// <summary>
    /// The console page (and everything else): scripts, styles, images and connections only from its own origin, and
    /// nothing inline (the page sets styles only through the CSSOM, which the policy allows); no framing, no
    /// <c>&lt;base&gt;</c>.
    /// </summary>
    public const string ContentSecurityPolicy = "default-src 'self'; frame-ancestors 'none'; base-uri 'none'";

    /// <summary>
    /// Swagger UI, under <c>/swagger</c> only: its bundle adds <c>&lt;style&gt;</c> elements and shows <c>data:</c> SVG
    /// icons. Its scripts are files (Swashbuckle's <c>index.js</c>), so scripts stay as strict as the page's.
    /// </summary>
    public const string SwaggerContentSecurityPolicy =
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'";

    public const string SwaggerPath = "/swagger";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        context.Response.OnStarting(static state =>
        {
            var context = (HttpContext)state;
            var headers = context.Response.Headers;
            if (!headers.ContainsKey(Microsoft.Net.Http.Headers.HeaderNames.ContentSecurityPolicy))
            {
                headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments(SwaggerPath)
                    ? SwaggerContentSecurityPolicy
                    : ContentSecurityPolicy;
            }
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            return Task.CompletedTask;
        }, context);
        return next(context);
    });
}
