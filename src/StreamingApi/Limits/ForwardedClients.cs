using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace StreamingApi.Limits;

/// <summary>
/// Behind a proxy every request comes from the proxy's address, which would make every anonymous client one caller.
/// The client's address is taken from <c>X-Forwarded-For</c>, but only when the request comes from a proxy this
/// instance trusts: loopback, and the addresses or networks in <c>Limits:KnownProxies</c>.
/// </summary>
public static class ForwardedClients
{
    public static IServiceCollection AddForwardedClients(this IServiceCollection services)
    {
        services.AddOptions<ForwardedHeadersOptions>().Configure<IConfiguration>((options, configuration) =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor;
            var known = configuration.GetSection("Limits:KnownProxies").Get<string[]>()
                ?? configuration["Limits:KnownProxies"]?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
            foreach (var entry in known)
            {
                if (entry.Contains('/')) options.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(entry));
                else options.KnownProxies.Add(IPAddress.Parse(entry));
            }
        });
        return services;
    }
}
