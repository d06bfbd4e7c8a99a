using Microsoft.AspNetCore.Cors.Infrastructure;

namespace StreamingApi.Browsers;

public static class BrowserSecurityExtensions
{
    /// <summary>CORS for the frontends on the origins in <c>Cors:AllowedOrigins</c> (<see cref="CrossOrigin"/>).</summary>
    public static IServiceCollection AddBrowserSecurity(this IServiceCollection services)
    {
        services.AddCors();
        services.AddOptions<CorsOptions>().Configure<IConfiguration>(CrossOrigin.Configure);
        return services;
    }

    /// <summary>
    /// The security headers (<see cref="SecurityHeaders"/>), then CORS: before the static files and the endpoints, so
    /// that the page and its files get the headers and a preflight is answered before any endpoint sees it.
    /// </summary>
    public static WebApplication UseBrowserSecurity(this WebApplication app)
    {
        app.UseSecurityHeaders();
        app.UseCors();
        return app;
    }
}
