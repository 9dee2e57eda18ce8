from django.urls import path

from motcua.online import views

app_name = "online"
urlpatterns = [
    path("nop-truc-tuyen/<str:code>/", views.start, name="start"),
    path("nop-truc-tuyen/ho-so-nhap/<str:token>/", views.draft_page, name="draft"),
    path("nop-truc-tuyen/ho-so-nhap/<str:token>/to-khai/<str:component_id>/", views.eform_page, name="eform"),
    path("nop-truc-tuyen/ho-so-nhap/<str:token>/nop/", views.review, name="review"),
    path("ho-so-cua-toi/", views.mine, name="mine"),
    path("ho-so-cua-toi/<str:code>/", views.mine_detail, name="mine_detail"),
    path("ho-so-cua-toi/<str:code>/bo-sung/", views.supplement, name="supplement"),
    path("ho-so-cua-toi/<str:code>/thanh-toan/", views.pay, name="pay"),
    path("ho-so-cua-toi/<str:code>/danh-gia/", views.rate, name="rate"),
    path("kho-du-lieu/", views.warehouse_page, name="warehouse"),
    path("kho-du-lieu/<str:item_id>/tep/", views.warehouse_file, name="warehouse_file"),
    path("kho-du-lieu/<str:item_id>/go/", views.warehouse_remove, name="warehouse_remove"),
]
