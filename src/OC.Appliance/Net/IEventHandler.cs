namespace OC.Appliance.Net;

/// <summary>Something registered with the event loop: a listener, a connection, the waker.</summary>
internal interface IEventHandler
{
    /// <summary>Called on the loop thread with the events that fired (Error means: read or write to learn why).</summary>
    void OnEvents(PollEvents events);
}
