using Microsoft.AspNetCore.Hosting;

namespace StreamingApi.Security;

/// <summary>
/// <c>Management:Urls</c> (e.g. <c>http://127.0.0.1:9090</c>, fixed ports, ';' between several): a listener of its own
/// for <c>/metrics</c> and <c>/health*</c>, which then answer there only (404 on the public listener), while the public
/// listener's other endpoints answer 404 there. Unset, everything is on the one listener, as before.
/// </summary>
public static class ManagementListener
{
    /// <summary>Listens on the management URLs as well as on the service's own (<c>urls</c>, <c>ASPNETCORE_URLS</c>).</summary>
    public static WebApplicationBuilder AddManagementListener(this WebApplicationBuilder builder)
    {
        if (Urls(builder.Configuration) is not { Length: > 0 } management) return builder;
        var main = builder.WebHost.GetSetting(WebHostDefaults.ServerUrlsKey) is { Length: > 0 } urls ? urls : "http://localhost:5000";
        builder.WebHost.UseUrls([.. main.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), .. management]);
        return builder;
    }

    /// <summary>Sends each request to its listener's endpoints only: 404 for the others.</summary>
    public static IApplicationBuilder UseManagementListener(this IApplicationBuilder app)
    {
        var ports = Urls(app.ApplicationServices.GetRequiredService<IConfiguration>()).Select(url => new Uri(url.Replace("*", "localhost").Replace("+", "localhost")).Port)
            .ToHashSet();
        if (ports.Count == 0) return app;
        return app.Use((http, next) =>
        {
            if (ports.Contains(http.Connection.LocalPort) == IsManagement(http.Request.Path)) return next(http);
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
    }

    private static bool IsManagement(PathString path) =>
        path.StartsWithSegments("/metrics") || path.StartsWithSegments("/health");

    private static string[] Urls(IConfiguration configuration) =>
        configuration["Management:Urls"]?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
}
