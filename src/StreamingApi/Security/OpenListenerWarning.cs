using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace StreamingApi.Security;

/// <summary>
/// Once the server listens: a Warning for each address beyond loopback while authentication is off, since anyone who
/// can reach it can then start and read runs.
/// </summary>
internal sealed partial class OpenListenerWarning(IServer server, IHostApplicationLifetime lifetime, IOptions<AuthOptions> options,
    ILogger<OpenListenerWarning> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() =>
        {
            if (options.Value.IsEnabled || server.Features.Get<IServerAddressesFeature>() is not { } addresses) return;
            foreach (var address in addresses.Addresses.Where(a => !IsLoopback(a))) ListensWithoutAuthentication(logger, address);
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    internal static bool IsLoopback(string address)
    {
        var start = address.IndexOf("://", StringComparison.Ordinal);
        var rest = start < 0 ? address : address[(start + 3)..];
        var host = rest.StartsWith('[') ? rest[1..rest.IndexOf(']')] : rest.Split(':', '/')[0];
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Listening on {Address}, beyond loopback, without authentication: anyone who reaches it can start and read runs. Set Auth:ApiKeys or Auth:Jwt (see docs/security.md).")]
    private static partial void ListensWithoutAuthentication(ILogger logger, string address);
}
