print("clientone")
