using Loire.Security;

namespace Loire.Tests.Security;

/// <summary>A client-side observer: its replies go through the gateway under the observer's id, not the client's.</summary>
[Alias("loire.tests.IEchoObserver")]
public interface IEchoObserver : IGrainObserver
{
    [Alias("Echo")]
    Task<string> EchoAsync(string text);
}

/// <summary>A test grain that calls a client's observer back.</summary>
[Alias("loire.tests.IEchoGrain")]
public interface IEchoGrain : IGrainWithStringKey
{
    [Alias("EchoThrough"), RequiresRights(AccessRights.Listen)]
    Task<string> EchoThroughAsync(IEchoObserver observer, string text);
}

public sealed class EchoGrain : Grain, IEchoGrain
{
    public Task<string> EchoThroughAsync(IEchoObserver observer, string text) => observer.EchoAsync(text);
}
