using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Nexus.Server.Auth;

/// <summary>
/// Development mode's last line: once the server has started, the addresses it actually listens on (whatever set
/// them: <c>Nexus:Urls</c>, <c>urls</c>/<c>ASPNETCORE_URLS</c>, <c>Kestrel:Endpoints</c>, or code) must all be loopback,
/// or the start fails. Anonymous access is served only after this check passed, so it fails closed: before the check,
/// and on a server whose addresses cannot be read, requests without credentials are refused.
/// </summary>
internal sealed class LoopbackGuard(IServer server) : IHostedLifecycleService
{
    private volatile bool _verified;

    /// <summary>True once every bound address was seen to be loopback.</summary>
    public bool Verified => _verified;

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var exposed = addresses.Where(a => !Loopback.IsLoopbackUrl(a)).ToList();
        if (exposed.Count > 0) throw Refusal(exposed);
        _verified = addresses.Count > 0;
        return Task.CompletedTask;
    }

    /// <summary>The error that stops a development-mode start on the network.</summary>
    public static InvalidOperationException Refusal(IEnumerable<string> exposed) => new(
        $"Development mode (--dev, Nexus:Auth:AnonymousLoopback) is only allowed while listening on loopback addresses, but the server would listen on {string.Join(", ", exposed)}. Turn it off and use API keys or JWTs.");

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
