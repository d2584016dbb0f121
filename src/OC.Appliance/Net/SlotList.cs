namespace OC.Appliance.Net;

/// <summary>An item that knows its position in a <see cref="SlotList{T}"/>.</summary>
internal interface ISlotted
{
    int ListIndex { get; set; }
}

/// <summary>
/// The open connections of a service: O(1) add and remove (the last item takes the removed one's
/// place), iteration by index. Order is not kept; sweeps walk it backwards so a removal during
/// the walk never skips an item. Loop thread only.
/// </summary>
internal sealed class SlotList<T> where T : class, ISlotted
{
    private readonly List<T> _items = [];

    public int Count => _items.Count;

    public T this[int index] => _items[index];

    public IReadOnlyList<T> Items => _items;

    public void Add(T item)
    {
        item.ListIndex = _items.Count;
        _items.Add(item);
    }

    public void Remove(T item)
    {
        int index = item.ListIndex;
        if (index < 0) return;
        var last = _items[^1];
        _items[index] = last;
        last.ListIndex = index;
        _items.RemoveAt(_items.Count - 1);
        item.ListIndex = -1;
    }
}
