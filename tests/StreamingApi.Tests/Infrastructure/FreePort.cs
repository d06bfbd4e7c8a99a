using System.Net;
using System.Net.Sockets;

namespace StreamingApi.Tests.Infrastructure;

public static class FreePort
{
    /// <summary>A loopback port no one listens on now, for a server that must be told its port.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Waits (bounded) until something accepts connections on the port.</summary>
    public static Task WaitUntilListeningAsync(int port, TimeSpan? within = null) =>
        Eventually.TrueAsync(async () =>
        {
            using var client = new TcpClient();
            try
            {
                await client.ConnectAsync(IPAddress.Loopback, port);
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
        }, $"port {port} accepts connections", within);
}
