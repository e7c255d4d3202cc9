namespace Nexus.Contracts;

/// <summary>The lease states a heartbeat reports.</summary>
public static class LeaseStatuses
{
    /// <summary>Extended by the lease duration: carry on.</summary>
    public const string Ok = "ok";
    /// <summary>The lease is gone (rescued, deleted or leased again): stop, a completion would be refused.</summary>
    public const string Lost = "lost";
    /// <summary>Extended, but cancellation was asked for: stop and complete as cancelled.</summary>
    public const string CancelRequested = "cancel-requested";
}
