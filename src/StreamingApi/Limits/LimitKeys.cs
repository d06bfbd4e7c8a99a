namespace StreamingApi.Limits;

/// <summary>
/// Who a request counts against for limits and quotas: its principal when it is authenticated, else the client's
/// address (every request is anonymous while authentication is off).
/// </summary>
public static class LimitKeys
{
    public static string Of(HttpContext http) =>
        http.User.Identity is { IsAuthenticated: true, Name: { } name } ? ForPrincipal(name) : ForAddress(http.Connection.RemoteIpAddress?.ToString());

    public static string ForPrincipal(string name) => $"principal:{name}";

    public static string ForAddress(string? address) => $"address:{address ?? "unknown"}";
}
